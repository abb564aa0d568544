// Small pure helpers of the till: pence as pounds, typed pounds as pence, times, ids.

const pounds = (pence) => `£${(Math.floor(Math.abs(pence) / 100)).toLocaleString("en-GB")}.${String(Math.abs(pence) % 100).padStart(2, "0")}`;
export const money = (pence) => (pence < 0 ? "-" : "") + pounds(pence);
export const ukTime = (iso) =>
  new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" });

export function parsePence(raw) {
  const text = (raw || "").trim().replace(/^£/, "");
  if (!/^\d{1,4}(\.\d{1,2})?$/.test(text)) return null;
  const [whole, part = ""] = text.split(".");
  return Number(whole) * 100 + Number(part.padEnd(2, "0"));
}

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
