// Copy buttons: the only script on the admin pages. Without it the fields stay selectable by hand.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  field.select();
  let copied = false;
  try {
    await navigator.clipboard.writeText(field.value);
    copied = true;
  } catch {
    copied = document.execCommand && document.execCommand("copy");
  }
  const label = button.firstChild;
  const original = label.textContent;
  label.textContent = copied ? "Copied" : "Press Ctrl+C";
  let status = document.getElementById("copy-status");
  if (!status) {
    status = document.createElement("p");
    status.id = "copy-status";
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    document.body.appendChild(status);
  }
  status.textContent = copied ? "Copied to the clipboard" : "Select the text and press Ctrl+C to copy";
  setTimeout(() => { label.textContent = original; }, 2000);
});
