// Sentence starters for the youngest (pitch feedback): each prompt shown beside a box becomes
// a button that starts the box with it. Without JavaScript the prompt is simply read.
for (const prompt of document.querySelectorAll("[data-starter-for]")) {
  const box = document.getElementById(prompt.dataset.starterFor);
  if (!box) continue;
  const words = prompt.textContent.replace(/[“”]/g, "").replace(/…$/, "").trim();
  const button = document.createElement("button");
  button.type = "button";
  button.className = "starter";
  button.textContent = prompt.textContent;
  button.setAttribute("aria-label", `Start with “${words}…”`);
  button.addEventListener("click", () => {
    const start = `${words} `;
    if (!box.value.trim()) box.value = start;
    else if (!box.value.includes(words)) box.value = `${box.value.trimEnd()}\n${start}`;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  });
  prompt.replaceWith(button);
}
