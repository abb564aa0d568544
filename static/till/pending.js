// On every signed-in page: signing out, or closing a stall, while a till on this phone still
// has sales waiting to send asks first. The sales stay on the phone either way.
import { waitingCount } from "./queue.js";

// Matched by their ends: under CLUSTER_ROUTING=path the actions carry the cluster's prefix.
const FORMS = 'form[action$="/logout"], form[action$="/closing"]';

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches(FORMS) || form.dataset.asked) return;
  event.preventDefault();
  const n = await waitingCount();
  const go =
    !n ||
    window.confirm(
      `${n} sale${n === 1 ? " is" : "s are"} still waiting to send from this phone's till. ` +
        "They stay on this phone and are sent when you open the till again with a signal. Go on?",
    );
  if (go) {
    form.dataset.asked = "1";
    form.requestSubmit(event.submitter || undefined);
  }
});
