/**
 * Form values exactly as typed: text stays text, so nothing is lost or reinterpreted when the
 * service refuses it. The domain's validators read raw form values (numbers as text, '' as
 * empty; see src/domain/schemas/form.ts).
 */
export type FieldValue = string | boolean | string[];
export type FormValues = Record<string, FieldValue>;

/**
 * What a form sends: every value except the fields currently hidden. A hidden field keeps its
 * typed value in the form (the clinician may bring it back) but does not apply, so it is not
 * sent: the service would rightly refuse, e.g., a reason for an ARV status that takes none.
 */
export function toServiceInput(
  values: FormValues,
  hidden: readonly string[] = [],
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (!hidden.includes(name)) input[name] = Array.isArray(value) ? [...value] : value;
  }
  return input;
}

/** A saved record's values as form text, for editing and corrections. */
export function toFormValues(record: object, template: FormValues): FormValues {
  const values: FormValues = { ...template };
  for (const [name, value] of Object.entries(record)) {
    if (!(name in template)) continue;
    if (typeof value === 'boolean') values[name] = value;
    else if (Array.isArray(value)) values[name] = value.map(String);
    else if (typeof value === 'number' || typeof value === 'string') values[name] = String(value);
  }
  return values;
}
