// The values of a livepatch_func or klp_func field as the author wrote them: only the plain
// spellings are read, since anything else is the preprocessor's to expand, not ours.

/** A C integer constant (`31`, `0x1f`, `5UL`), or undefined for anything the preprocessor would have to expand. */
export function integerValue(text: string | undefined): bigint | undefined {
  const literal = text?.trim().replace(/[uUlL]+$/, '');
  if (!literal) return undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(literal) || /^[1-9][0-9]*$/.test(literal) || literal === '0') return BigInt(literal);
  if (/^0[0-7]+$/.test(literal)) return BigInt(`0o${literal.slice(1)}`);
  return undefined;
}

export function unquote(text: string | undefined): string | undefined {
  return text !== undefined && /^".*"$/s.test(text) ? text.slice(1, -1) : undefined;
}

export function isNull(text: string | undefined): boolean {
  return text === undefined || /^(0|NULL|\(void \*\) *0)$/.test(text.trim());
}
