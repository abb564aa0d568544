// The till's finished tickets on their way to the server: where each one goes, what is
// sent, the banner's words about those still waiting, and a recorded one as the till lists
// it. Each ticket keeps its stall and that stall's tickets address, so one queued at stall A
// is sent to A even when stall B's till is the page open; one queued before tickets kept
// their stall has none and goes, as it always did, to the till that is open.
import { money, ukTime } from "./helpers.js";

/** Which tickets are the open till's (`stall`, its tickets address `here`), and where each
 * of the others goes. */
export function stallRules(stall, here) {
  const isHere = (entry) => !entry.stall || entry.stall === stall;
  return { isHere, addressOf: (entry) => (isHere(entry) ? here : entry.tickets) };
}

/** A POST the server answers in JSON; null when there is no signal. */
export function post(url, body, csrf) {
  body.set("_csrf_token", csrf);
  return fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { accept: "application/json", "x-csrftoken": csrf },
  }).catch(() => null);
}

/** The ticket as the plain form would send it (plus the phone's time, if it waited). */
export function ticketBody(entry) {
  const b = new URLSearchParams({ ticket_id: entry.ticket_id, method: entry.method });
  for (const [id, quantity] of Object.entries(entry.lines)) b.set(`qty_${id}`, String(quantity));
  if (entry.custom_pence) {
    b.set("custom_amount", (entry.custom_pence / 100).toFixed(2));
    b.set("custom_label", entry.custom_label);
  }
  if (entry.tendered_pence !== null) b.set("tendered", (entry.tendered_pence / 100).toFixed(2));
  if (entry.offline) {
    b.set("offline", "1");
    b.set("sold_at", entry.made_at);
  }
  return b;
}

/** ": 2 for Aylsham Makers, Saturday 5 December 2026; 1 for this stall" when some are not
 * the open till's (nothing when all are). */
function perStall(entries, isHere) {
  if (entries.every(isHere)) return "";
  const counts = new Map(); // stall → [name, how many], in the order first queued
  for (const entry of entries) {
    const key = isHere(entry) ? "" : entry.stall;
    const name = isHere(entry) ? "this stall" : entry.stall_name || `stall ${entry.stall}`;
    counts.set(key, [name, (counts.get(key)?.[1] || 0) + 1]);
  }
  return `: ${[...counts.values()].map(([name, n]) => `${n} for ${name}`).join("; ")}`;
}

/** The banner's text ("" to hide it): `pending` wait to be sent (oldest first), `refused`
 * stay on the phone for the teacher; `state` is "Offline", "Server busy" or "Sending". */
export function bannerText(pending, refused, state, isHere) {
  const parts = [];
  if (pending.length) {
    const n = pending.length;
    const words = `${n} sale${n === 1 ? "" : "s"} waiting to send (oldest ${ukTime(pending[0].made_at)})`;
    parts.push(`${state} — ${words}${perStall(pending, isHere)}`);
  }
  if (refused.length) {
    const n = refused.length;
    const whose = perStall(refused, isHere);
    parts.push(`${n} offline sale${n === 1 ? "" : "s"} kept on this phone${whose ? `${whose}.` : ":"} ${refused[0].refused} Tell your teacher.`);
  }
  return parts.join(" · ");
}

/** A ticket the server recorded, as the till lists it under "Last tickets". */
export function recordedItem(t) {
  const li = document.createElement("li");
  li.dataset.ticket = t.id;
  const words = t.lines.map((line) => `${line.quantity} × ${line.name}`).join(", ");
  const flag = t.flagged ? " · sold offline beyond the counted stock" : "";
  const span = document.createElement("span");
  span.textContent = `${words} · ${money(t.total_pence)} · ${t.method} · ${ukTime(t.recorded_at)}${flag}`;
  li.append(span);
  return li;
}
