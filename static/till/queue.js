// The phone's queue of finished tickets not yet recorded by the server, kept in IndexedDB
// so that a reload, a closed tab or a phone restart loses none of them. Under
// CLUSTER_ROUTING=path several clusters share one origin: each keeps its own queue (named by
// the page's prefix), so one cluster's till never sends another's sales.

/** The cluster's path prefix ("/c/aylsham"), "" when the site is not under one. */
export const SITE_ROOT = document.documentElement.dataset.siteRoot || "";
const DATABASE = SITE_ROOT ? `cluster-market-till@${SITE_ROOT}` : "cluster-market-till";

let opened = null;

function database() {
  opened ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DATABASE, 1);
    open.onupgradeneeded = () => open.result.createObjectStore("queue", { keyPath: "ticket_id" });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  return opened;
}

async function store(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction("queue", mode);
    const request = work(tx.objectStore("queue"));
    tx.oncomplete = () => resolve(request && request.result);
    tx.onerror = () => reject(tx.error);
  });
}

export const saveEntry = (entry) => store("readwrite", (s) => s.put(entry));
export const dropEntry = (id) => store("readwrite", (s) => s.delete(id));
export const loadEntries = () => store("readonly", (s) => s.getAll());

/** How many tickets still wait to be sent (a refused one is kept, but waits no more). */
export async function waitingCount() {
  try {
    return (await loadEntries()).filter((entry) => !entry.refused).length;
  } catch (error) {
    return 0;
  }
}
