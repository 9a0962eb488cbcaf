// Tooltips shown on focus or hover (the trend grid's "approved on … by …", WCAG 1.4.13):
// Escape hides the one showing without moving focus or the pointer; it shows again once the
// pointer or focus leaves and comes back.
const tips = document.querySelectorAll(".app-tooltip");
for (const tip of tips) {
  const reset = () => tip.removeAttribute("data-dismissed");
  tip.addEventListener("mouseleave", reset);
  tip.addEventListener("blur", reset);
}
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const tip of tips) {
    if (tip.matches(":hover, :focus")) tip.setAttribute("data-dismissed", "");
  }
});
