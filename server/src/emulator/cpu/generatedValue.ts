/** An operand value inside generated code: JS expressions for the low and high int32 halves. */
export interface Val {
  l: string;
  h: string;
}
