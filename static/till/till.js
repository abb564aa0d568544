// The till on the phone: the ticket lives here and changes at once on a tap; finished tickets
// wait in IndexedDB (with their ids) until the server has recorded them, in order, exactly
// once. Without this script the till is a plain form (quantities, then Cash or Card).
// Each ticket keeps its stall and is sent to that stall's address (outbox.js).

import { money, newId, parsePence } from "./helpers.js";
import { keepCounts, keptCounts } from "./counts.js";
import { bannerText, post as postTo, recordedItem, stallRules, ticketBody } from "./outbox.js";
import { dropEntry, loadEntries, saveEntry } from "./queue.js";

const root = document.getElementById("till");
const form = document.getElementById("till-form");
const stallId = root.dataset.stall;
const stallName = root.dataset.stallName || "";
const csrf = root.dataset.csrf;
// Addresses come from the page (rendered with the cluster's prefix), never written here.
const TICKETS = form.getAttribute("action");
const RETRY_MS = 4000;

const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ state

const products = new Map();
for (const tile of document.querySelectorAll(".tile")) {
  products.set(tile.dataset.productId, {
    tile,
    name: tile.dataset.name,
    price: Number(tile.dataset.price),
  });
}
let server = keptCounts(stallId, {
  at: root.dataset.renderedAt,
  left: Object.fromEntries([...products].map(([id, p]) => [id, Number(p.tile.dataset.left)])),
  takings: {
    total: Number(root.dataset.takings),
    cash: Number(root.dataset.cash),
    card: Number(root.dataset.card),
    sales: Number(root.dataset.sales),
  },
});
let queue = []; // tickets not yet recorded by the server, oldest first
let ticket = new Map(); // product id → quantity
let custom = null; // { pence, label }
let last = null; // the last ticket made on this phone
let sending = false;
let unreachable = false; // the last attempt found no signal
let busy = false; // the server answered 503 (or 502, 504, 429): try again after Retry-After
let notBefore = 0; // Retry-After
const canSell = !form.querySelector(".pay-buttons button").disabled;

const { isHere, addressOf } = stallRules(stallId, TICKETS);

/** The server's counts after sending `entry`: this till's, or kept for its own stall's. */
function keepServer(data, entry = null) {
  if (entry && !isHere(entry)) keepCounts(entry.stall, data);
  else server = keepCounts(stallId, data);
}

function waiting() {
  return queue.filter((entry) => !entry.refused);
}

function waitingHere() {
  return waiting().filter(isHere);
}

function leftOf(id) {
  let left = server.left[id] ?? 0;
  for (const entry of waitingHere()) left -= entry.lines[id] || 0;
  return Math.max(left, 0);
}

function ticketTotal() {
  let total = custom ? custom.pence : 0;
  for (const [id, quantity] of ticket) total += products.get(id).price * quantity;
  return total;
}

// ------------------------------------------------------------------ drawing

function button(text, label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "button secondary";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

function drawTicket() {
  const list = $("ticket-lines");
  const items = [];
  for (const [id, quantity] of ticket) {
    const p = products.get(id);
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "ticket-line-name";
    name.textContent = `${quantity} × ${p.name}`;
    const amount = document.createElement("strong");
    amount.textContent = money(p.price * quantity);
    li.append(
      name,
      button("−", `One fewer ${p.name}`, () => change(id, -1)),
      button("+", `One more ${p.name}`, () => change(id, +1)),
      amount,
    );
    items.push(li);
  }
  if (custom) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "ticket-line-name";
    name.textContent = `${custom.label}: ${money(custom.pence)}`;
    li.append(name, button("×", `Remove ${custom.label}`, () => { custom = null; draw(); }));
    items.push(li);
  }
  if (!items.length) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = "Tap a product to start a ticket.";
    items.push(li);
  }
  list.replaceChildren(...items);
  $("ticket-total").textContent = money(ticketTotal());
  drawChange();
}

function drawChange() {
  const handed = parsePence($("tendered").value);
  const total = ticketTotal();
  $("change").textContent = handed !== null && total && handed >= total ? money(handed - total) : "–";
}

function drawTiles() {
  for (const [id, p] of products) {
    const left = leftOf(id) - (ticket.get(id) || 0);
    p.tile.querySelector(".tile-left").textContent =
      leftOf(id) === 0 ? "Sold out" : `${leftOf(id)} left`;
    p.tile.classList.toggle("sold-out", leftOf(id) === 0);
    p.tile.querySelector(".tile-face").disabled = !canSell || left <= 0;
  }
}

function drawTakings() {
  const t = { ...server.takings };
  for (const entry of waitingHere()) {
    t.total += entry.total_pence;
    t[entry.method] = (t[entry.method] || 0) + entry.total_pence;
    t.sales += 1;
  }
  $("takings-total").textContent = money(t.total);
  $("takings-detail").textContent =
    `cash ${money(t.cash)} · card ${money(t.card)} · ${t.sales} sale${t.sales === 1 ? "" : "s"}`;
}

function drawBanner() {
  const banner = $("till-banner");
  // Only what IndexedDB holds is "waiting to send": a ticket whose write has not finished
  // would not survive a reload, so it is not counted until it is kept.
  const pending = waiting().filter((entry) => entry.kept);
  const refused = queue.filter((entry) => entry.refused);
  const state = unreachable || !navigator.onLine ? "Offline" : busy ? "Server busy" : "Sending";
  banner.textContent = bannerText(pending, refused, state, isHere);
  banner.hidden = !banner.textContent;
}

function draw() {
  drawTicket();
  drawTiles();
  drawTakings();
  drawBanner();
}

function say(text, kind = "ok", big = "") {
  const box = $("till-message");
  const p = document.createElement("p");
  p.className = `notice ${kind}`;
  p.textContent = text;
  const items = [p];
  if (big) {
    const change = document.createElement("p");
    change.className = "till-change-done";
    change.append("Change due ");
    const strong = document.createElement("strong");
    strong.textContent = big;
    change.append(strong);
    items.push(change);
  }
  if (last && kind === "ok" && !last.undone) {
    const undo = button("Undo this ticket", "", undoLast);
    undo.removeAttribute("aria-label");
    undo.className = "button danger undo";
    items.push(undo);
  }
  box.replaceChildren(...items);
}

// ------------------------------------------------------------------ taps

function change(id, step) {
  const quantity = (ticket.get(id) || 0) + step;
  if (quantity <= 0) ticket.delete(id);
  else if (quantity <= leftOf(id) || step < 0) ticket.set(id, quantity);
  draw();
}

function finish(method) {
  const total = ticketTotal();
  if (!total && !ticket.size) {
    say("The ticket is empty: tap a product first.", "error");
    return;
  }
  const handed = parsePence($("tendered").value);
  if (method === "cash" && $("tendered").value.trim() && (handed === null || handed < total)) {
    say(`Handed over must be at least ${money(total)}.`, "error");
    return;
  }
  const lines = Object.fromEntries(ticket);
  const names = Object.fromEntries([...ticket.keys()].map((id) => [id, products.get(id).name]));
  const entry = {
    ticket_id: newId(),
    stall: stallId, // sent to this stall's address, whichever till is open then
    stall_name: stallName,
    tickets: TICKETS,
    made_at: new Date().toISOString(),
    method,
    lines,
    names,
    custom_pence: custom ? custom.pence : 0,
    custom_label: custom ? custom.label : "",
    tendered_pence: method === "cash" ? handed : null,
    total_pence: total,
    offline: unreachable || !navigator.onLine,
  };
  queue.push(entry);
  last = entry;
  ticket = new Map();
  custom = null;
  $("tendered").value = "";
  const words = Object.entries(lines).map(([id, q]) => `${q} × ${names[id]}`);
  if (entry.custom_pence) words.push(entry.custom_label);
  const changeDue = entry.tendered_pence !== null ? money(entry.tendered_pence - total) : "";
  say(`Sold ${words.join(", ")} for ${money(total)} (${method}).`, "ok", changeDue);
  draw();
  saveEntry(entry).then(() => {
    entry.kept = true;
    draw();
    flush();
  });
}

async function undoLast() {
  const entry = last;
  if (!entry) return;
  if (queue.includes(entry)) {
    queue = queue.filter((e) => e !== entry);
    await dropEntry(entry.ticket_id);
    entry.undone = true;
    say("Undone: the ticket was never sent.");
    draw();
    return;
  }
  const response = await post(`${addressOf(entry)}/${entry.ticket_id}/void`, new URLSearchParams());
  const data = response && (await response.json().catch(() => null));
  if (data && data.ok) {
    entry.undone = true;
    keepServer(data, entry);
    say(data.message);
  } else {
    say(data ? data.error : "No signal: undo needs the server. Try again in a moment.", "error");
  }
  draw();
}

// ------------------------------------------------------------------ sending

const post = (url, body) => postTo(url, body, csrf);

async function sendOne(entry) {
  const response = await post(addressOf(entry), ticketBody(entry));
  if (!response) return "offline";
  if ([502, 503, 504, 429].includes(response.status)) {
    const seconds = Number(response.headers.get("retry-after"));
    notBefore = Date.now() + (seconds > 0 ? Math.min(seconds, 300) * 1000 : RETRY_MS);
    return "later";
  }
  const data = await response.json().catch(() => null);
  if (!data) return "later"; // not the till's answer (say, a sign-in page): keep it
  if (data.ok) {
    keepServer(data, entry);
    if (!data.repeated && isHere(entry)) $("recent-tickets").prepend(recordedItem(data.ticket));
    return "done";
  }
  if (data.left) keepServer(data, entry); // the server's counts correct the phone's
  return { error: data.error || `The server answered ${response.status}.` };
}

/** The phone knows it has no network: nothing is tried until its "online" event, and what
 * waits was handed over without the server (a fact from now on). */
async function heldOver() {
  unreachable = true;
  for (const entry of waiting().filter((e) => !e.offline)) {
    entry.offline = true;
    await saveEntry(entry);
  }
}

async function flush() {
  if (sending || Date.now() < notBefore) return;
  if (!navigator.onLine) {
    await heldOver();
    draw();
    return;
  }
  sending = true;
  try {
    for (let entry = waiting()[0]; entry; entry = waiting()[0]) {
      if (!navigator.onLine) {
        await heldOver(); // the signal went while earlier tickets were sent: the rest wait
        break;
      }
      if (!isHere(entry) && !entry.offline) {
        entry.offline = true; // left behind at its stall: its customer has gone with it
        await saveEntry(entry);
      }
      const result = await sendOne(entry);
      if (result === "done") {
        queue = queue.filter((e) => e !== entry);
        unreachable = busy = false;
        await dropEntry(entry.ticket_id);
      } else if (result === "offline" || result === "later") {
        unreachable = result === "offline";
        busy = result === "later";
        if (!entry.offline) {
          entry.offline = true; // it was handed over without the server: a fact from now on
          await saveEntry(entry);
        }
        break;
      } else if (entry.offline) {
        entry.refused = result.error; // never dropped: kept on the phone for the teacher
        await saveEntry(entry);
      } else {
        queue = queue.filter((e) => e !== entry);
        await dropEntry(entry.ticket_id);
        ticket = new Map(Object.entries(entry.lines));
        custom = entry.custom_pence ? { pence: entry.custom_pence, label: entry.custom_label } : null;
        last = null;
        say(`Not recorded: ${result.error} The ticket is back on the screen.`, "error");
      }
      draw();
    }
  } finally {
    sending = false;
    draw();
  }
}

// ------------------------------------------------------------------ start

function start() {
  document.documentElement.classList.add("js");
  for (const [id, p] of products) {
    p.tile.querySelector(".tile-face").addEventListener("click", () => change(id, +1));
  }
  const customButton = form.querySelector(".till-custom-add");
  customButton.hidden = false;
  customButton.addEventListener("click", () => {
    const pence = parsePence($("custom-amount").value);
    if (!pence) {
      say("Custom amount: type an amount in pounds, like 2.50.", "error");
      return;
    }
    custom = { pence, label: $("custom-label").value.trim().slice(0, 60) || "Custom amount" };
    $("custom-amount").value = "";
    draw();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    finish(event.submitter ? event.submitter.value : "cash");
  });
  $("tendered").addEventListener("input", drawChange);
  for (const link of document.querySelectorAll("[data-warn-pending]")) {
    link.addEventListener("click", (event) => {
      const n = waiting().length;
      if (n && !window.confirm(`${n} sale${n === 1 ? " is" : "s are"} still waiting to send. They stay on this phone and are sent when the signal is back. Leave the till anyway?`)) {
        event.preventDefault();
      }
    });
  }
  window.addEventListener("online", () => { notBefore = 0; flush(); });
  window.addEventListener("offline", () => { unreachable = true; draw(); });
  setInterval(() => { if (waiting().length) flush(); }, RETRY_MS);
  draw();
  loadEntries().then((entries) => {
    queue = entries.filter((e) => e.ticket_id).sort((a, b) => a.made_at.localeCompare(b.made_at));
    for (const entry of queue) entry.kept = true;
    draw();
    root.dataset.ready = "1"; // the queue kept on the phone is on screen
    flush();
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(root.dataset.worker, { scope: root.dataset.workerScope })
      .then(() => navigator.serviceWorker.ready)
      // The worker keeps this page for offline use (in its own cache: sw.js names it).
      .then((registration) => registration.active.postMessage({ keep: location.pathname }))
      .catch(() => {});
  }
}

start();
