// One-click correction of a 万元 amount typed in yuan: the button beside the warning puts the ÷10,000 figure
// into its field and focuses it (the page is submitted as usual; without JavaScript, retype the figure).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-fix-target]");
  if (!button) return;
  var input = document.getElementById(button.getAttribute("data-fix-target"));
  if (!input) return;
  input.value = button.getAttribute("data-fix-value");
  input.focus();
  button.closest(".unit-slip").hidden = true;
});
