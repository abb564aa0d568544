// The server's last counts for a stall (what is left, the takings), kept on the phone so that
// a till reopened with no signal starts from them. One copy per stall, named per prefix
// under CLUSTER_ROUTING=path; a ticket sent from another stall's till updates its own stall's.
import { SITE_ROOT } from "./queue.js";

const keyOf = (stall) => `till-state-${SITE_ROOT}${stall}`;

/** The stall's kept counts if newer than the page's (`page`, with its `at`), else the page's. */
export function keptCounts(stall, page) {
  try {
    const kept = JSON.parse(localStorage.getItem(keyOf(stall)) || "null");
    if (kept && kept.at > page.at) return kept;
  } catch (error) {
    /* a broken copy: the page's own numbers stand */
  }
  return page;
}

/** Keeps the counts in a server's answer for `stall`; returns them. */
export function keepCounts(stall, data) {
  const kept = { at: new Date().toISOString(), left: data.left, takings: data.takings };
  localStorage.setItem(keyOf(stall), JSON.stringify(kept));
  return kept;
}
