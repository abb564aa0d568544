// The pre-order shop and the basket page swap their answers in with idiomorph's htmx
// extension (hx-ext="morph", static/vendor/idiomorph-ext-0.8.0.min.js, 0BSD): the elements on
// the page are updated in place rather than replaced, so a box the parent is typing in keeps
// what they typed when an earlier tap's answer arrives (and sends it when they leave the box),
// and a button tapped meanwhile is still on the page when its turn comes. This line is the one
// setting htmx's attributes cannot give (the extension's own "morph:{...}" form needs eval).
Idiomorph.defaults.ignoreActiveValue = true;
