// The pre-order shop and the basket page swap their answers in with idiomorph's htmx
// extension (hx-ext="morph", static/vendor/idiomorph-ext-0.8.0.min.js, 0BSD): the elements on
// the page are updated in place rather than replaced, so a button tapped meanwhile is still
// on the page when its turn comes. And an answer never overwrites a box the parent changed
// after its request left (the one being typed in, or one typed in just before a quick
// "Check out"): that box keeps what they typed, and it is sent with their next request.
// The settings below are the ones htmx's attributes cannot give (the extension's own
// "morph:{...}" form needs eval).
const sent = new WeakMap(); // each box: its value when the form's last request left

document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt.closest("form");
  for (const box of form ? form.querySelectorAll("input.qty") : []) sent.set(box, box.value);
});

Idiomorph.defaults.callbacks.beforeAttributeUpdated = (name, element) =>
  !(name === "value" && sent.has(element) && element.value !== sent.get(element));
