/**
 * Which keystrokes /regulation's shortcuts may take (`/`, `t`, `j`, `k`, `f`, `r`, `n`, and the waiting list's `a`, `l`, `p`): all but
 * those meant for a control that takes text. A radio button, a check box or a button takes no
 * text, so the shortcuts work from them (issue 27); a text field, a text area, a select (its
 * letters choose an option) or an editable element keeps its keys. Plain data, no DOM types: the
 * page passes the focused element, the tests a look-alike.
 */

/** The focused element as far as this question goes (an HTMLElement fits). */
export interface FocusedControl {
  tagName: string
  type?: string
  isContentEditable?: boolean
  parentElement?: FocusedControl | null
}

/** Input types that take no text: their keys are free for the page's shortcuts. */
const NO_TEXT_INPUTS = new Set(['radio', 'checkbox', 'button', 'submit', 'reset', 'image', 'range', 'color', 'file'])

/** True when the element (or the control it lies in) takes typed text, so that shortcuts must leave its keys alone. */
export function keyTakesText (el: FocusedControl | null | undefined): boolean {
  for (let e = el; e !== null && e !== undefined; e = e.parentElement) {
    if (e.isContentEditable === true) return true
    const tag = e.tagName.toLowerCase()
    if (tag === 'textarea' || tag === 'select') return true
    if (tag === 'input') return !NO_TEXT_INPUTS.has((e.type ?? 'text').toLowerCase())
  }
  return false
}
