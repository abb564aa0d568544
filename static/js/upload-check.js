// A photo over the upload limit is refused in the browser, before the form is sent, so the
// page and everything typed on it stay as they are. Without JavaScript the server refuses
// it instead and shows the form again with the message (media/controllers.py).
const check = (input) => {
  const limit = Number(input.dataset.maxBytes);
  const file = input.files && input.files[0];
  input.setCustomValidity(file && file.size > limit ? input.dataset.tooBig : "");
};

document.addEventListener("change", (event) => {
  const input = event.target;
  if (input instanceof HTMLInputElement && input.type === "file" && input.dataset.maxBytes) {
    check(input);
    input.reportValidity();
  }
});
