const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** The JSONata source inside `{% … %}`, or undefined when the string is a literal. */
export function expressionSource(value: string): string | undefined {
  const match = EXPRESSION.exec(value);
  return match ? match[1]!.trim() : undefined;
}
