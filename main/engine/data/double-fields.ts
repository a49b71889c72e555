// V8 hidden classes: number fields that will hold fractions get the double representation when the object is built.

/**
 * Gives number fields of a freshly built object the double representation before anything else stores the object.
 * V8 keeps a field first written with a small integer (0) as a small-integer field; the first fraction written there
 * later (a clock at 12.5 us) changes the object's hidden class. Fields of other objects that hold it were typed with
 * the old class, so when a second engine is built in the same process (a new topology, a reset, the bench after its
 * warm-up) storing its new objects there throws away the optimised code of every handler that reads them (35
 * functions on FIG. 1) and V8 optimises them all again: ~15% of the CPU of a FIG. 1 write in the run that follows
 * (docs/PERFORMANCE.md). Written here, the change happens in the first constructor, before any code is optimised.
 */
export function doubleFields<T extends object>(o: T, ...keys: (keyof T & string)[]): void {
  const fields = o as Record<string, unknown>;
  for (const k of keys) {
    const value = fields[k];
    fields[k] = NaN;
    fields[k] = value;
  }
}

/** `o` after doubleFields: for a record built in a field initializer, before its owner stores it. */
export function withDoubleFields<T extends object>(o: T, ...keys: (keyof T & string)[]): T {
  doubleFields(o, ...keys);
  return o;
}
