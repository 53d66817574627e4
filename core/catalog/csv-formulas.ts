/**
 * CSV injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return as a formula, so an exported product named
 * `=HYPERLINK(...)` would run on a colleague's machine. Export prefixes such text cells with a
 * single quote, which spreadsheets show as text; import takes the quote off again.
 *
 * To round-trip every value, a cell that already starts with quotes before a trigger (`'=x`)
 * gets one more: export adds a quote exactly when the value matches /^'*[trigger]/, import
 * removes one exactly when the cell matches /^'+[trigger]/. Any other cell, a hand-written
 * `'quoted'` included, passes both ways untouched.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;

/** A text cell as it is safe to write into a CSV file. */
export function neutralisedCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** A text cell as read from a file: the value neutralisedCell() was given. */
export function restoredCell(cell: string): string {
  return NEUTRALISED.test(cell) ? cell.slice(1) : cell;
}
