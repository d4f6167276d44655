// Small DOM helpers the site's scripts share (ES module, no build step).

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/**
 * Shows `message` in the field's `<id>-error` element (tied to the field by its
 * aria-describedby) and marks the field invalid; an empty message clears both.
 */
export function setFieldError(id, message) {
  $(`${id}-error`).textContent = message ?? "";
  if (message) $(id).setAttribute("aria-invalid", "true");
  else $(id).removeAttribute("aria-invalid");
}

/** Moves focus to `el` (a heading, given tabindex=-1 if it has none) after a step changes. */
export function focusHeading(el) {
  if (!el) return;
  if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
  el.focus({ preventScroll: false });
}
