from clustermarket.cli import main

main()
