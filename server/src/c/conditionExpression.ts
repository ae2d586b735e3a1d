/**
 * The value of an `#if` / `#elif` expression as far as it can be known without the headers:
 * three-valued, an unknown operand makes the result unknown unless the other side decides it
 * (`0 && X`, `1 || X`). Integers are BigInt, as the preprocessor computes in `intmax_t`.
 */

/** What is known of a macro: undefined, defined with this replacement text, or nothing (`undefined`). */
export type MacroState = { defined: false } | { defined: true; value: string } | undefined;
export type MacroLookup = (name: string) => MacroState;

/** `undefined`: unknown. */
export type ConditionValue = bigint | undefined;

// Anything else (a string, a character constant, `#`) makes the expression unknown.
const token = /\s+|(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|([A-Za-z_]\w*)|(&&|\|\||<<|>>|<=|>=|==|!=|[-+*/%<>&^|!~?:(),])|(\S)/y;

/** A macro's replacement text is evaluated in turn; past this depth (`#define A B`, `#define B A`) it is unknown. */
const maxDepth = 8;

export function evaluateCondition(expression: string, lookup: MacroLookup, depth = 0): ConditionValue {
  const tokens: string[] = [];
  token.lastIndex = 0;
  for (let match = token.exec(expression); match; match = token.exec(expression)) {
    if (match[4] !== undefined) return undefined;
    const text = match[1] ?? match[2] ?? match[3];
    if (text !== undefined) tokens.push(text);
  }
  const reader = new ConditionReader(tokens, lookup, depth);
  try {
    const value = reader.conditional();
    return reader.atEnd() ? value : undefined;
  } catch {
    // Not an expression this reader knows (a syntax error the compiler would report, or a GNU extension): unknown.
    return undefined;
  }
}

const precedence: Record<string, number> = {
  '*': 10,
  '/': 10,
  '%': 10,
  '+': 9,
  '-': 9,
  '<<': 8,
  '>>': 8,
  '<': 7,
  '<=': 7,
  '>': 7,
  '>=': 7,
  '==': 6,
  '!=': 6,
  '&': 5,
  '^': 4,
  '|': 3,
  '&&': 2,
  '||': 1,
};

const truth = (b: boolean): bigint => (b ? 1n : 0n);

function binary(op: string, a: ConditionValue, b: ConditionValue): ConditionValue {
  if (op === '&&') return a === 0n || b === 0n ? 0n : a === undefined || b === undefined ? undefined : 1n;
  if (op === '||') return (a !== undefined && a !== 0n) || (b !== undefined && b !== 0n) ? 1n : a === undefined || b === undefined ? undefined : 0n;
  if (a === undefined || b === undefined) return undefined;
  switch (op) {
    case '*':
      return a * b;
    case '/':
      return b === 0n ? undefined : a / b;
    case '%':
      return b === 0n ? undefined : a % b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '<<':
      return b < 0n || b > 63n ? undefined : BigInt.asIntN(64, a << b);
    case '>>':
      return b < 0n || b > 63n ? undefined : a >> b;
    case '<':
      return truth(a < b);
    case '<=':
      return truth(a <= b);
    case '>':
      return truth(a > b);
    case '>=':
      return truth(a >= b);
    case '==':
      return truth(a === b);
    case '!=':
      return truth(a !== b);
    case '&':
      return a & b;
    case '^':
      return a ^ b;
    default:
      return a | b;
  }
}

class ConditionReader {
  private at = 0;

  constructor(
    private readonly tokens: readonly string[],
    private readonly lookup: MacroLookup,
    private readonly depth: number,
  ) {}

  atEnd(): boolean {
    return this.at === this.tokens.length;
  }

  conditional(): ConditionValue {
    const test = this.binaryFrom(1);
    if (this.tokens[this.at] !== '?') return test;
    this.at++;
    const yes = this.conditional();
    this.expect(':');
    const no = this.conditional();
    if (test === undefined) return yes === no ? yes : undefined;
    return test !== 0n ? yes : no;
  }

  private binaryFrom(level: number): ConditionValue {
    let left = this.unary();
    for (;;) {
      const op = this.tokens[this.at];
      const p = op === undefined ? undefined : precedence[op];
      if (p === undefined || p < level) return left;
      this.at++;
      left = binary(op, left, this.binaryFrom(p + 1));
    }
  }

  private unary(): ConditionValue {
    const next = this.take();
    if (next === '!' || next === '~' || next === '-' || next === '+') {
      const value = this.unary();
      if (value === undefined) return undefined;
      return next === '!' ? truth(value === 0n) : next === '~' ? ~value : next === '-' ? -value : value;
    }
    if (next === '(') {
      const value = this.conditional();
      this.expect(')');
      return value;
    }
    if (/^\d/.test(next)) return BigInt(next.length > 1 && next.startsWith('0') && !/^0[xX]/.test(next) ? `0o${next.slice(1)}` : next);
    if (!/^[A-Za-z_]/.test(next)) throw new Error(`unexpected ${next}`);
    if (next === 'defined') return this.defined();
    if (this.tokens[this.at] === '(') return this.call(next, this.arguments());
    return this.macroValue(next);
  }

  private defined(): ConditionValue {
    const parenthesized = this.tokens[this.at] === '(';
    if (parenthesized) this.at++;
    const state = this.lookup(this.take());
    if (parenthesized) this.expect(')');
    return state === undefined ? undefined : truth(state.defined);
  }

  /** An identifier left after macro expansion is 0; a macro is its replacement text's value. */
  private macroValue(name: string): ConditionValue {
    const state = this.lookup(name);
    if (state === undefined) return undefined;
    if (!state.defined) return 0n;
    if (this.depth >= maxDepth || !state.value.trim()) return undefined;
    return evaluateCondition(state.value, this.lookup, this.depth + 1);
  }

  /** Kconfig's test macros (include/linux/kconfig.h) and `KERNEL_VERSION`; any other function-like macro is unknown. */
  private call(name: string, args: string[][]): ConditionValue {
    const single = args.length === 1 && args[0].length === 1 ? args[0][0] : undefined;
    const builtin = (option: string): ConditionValue => {
      const state = this.lookup(option);
      return state === undefined ? undefined : truth(state.defined && state.value.trim() === '1');
    };
    switch (single !== undefined ? name : '') {
      case 'IS_BUILTIN':
      case '__is_defined':
        return builtin(single as string);
      case 'IS_MODULE':
        return builtin(`${single}_MODULE`);
      case 'IS_ENABLED':
        return binary('||', builtin(single as string), builtin(`${single}_MODULE`));
      case 'IS_REACHABLE':
        return binary('||', builtin(single as string), binary('&&', builtin(`${single}_MODULE`), builtin('MODULE')));
    }
    if (name === 'KERNEL_VERSION' && args.length === 3) {
      const [a, b, c] = args.map((arg) => evaluateCondition(arg.join(' '), this.lookup, this.depth + 1));
      if (a === undefined || b === undefined || c === undefined) return undefined;
      return (a << 16n) + (b << 8n) + (c > 255n ? 255n : c);
    }
    return undefined;
  }

  /** The tokens of each argument of a call, split at the commas outside parentheses. */
  private arguments(): string[][] {
    this.expect('(');
    const args: string[][] = [[]];
    for (let nesting = 0; ;) {
      const next = this.take();
      if (next === ')' && nesting === 0) return args;
      if (next === '(') nesting++;
      if (next === ')') nesting--;
      if (next === ',' && nesting === 0) args.push([]);
      else args[args.length - 1].push(next);
    }
  }

  private take(): string {
    const next = this.tokens[this.at++];
    if (next === undefined) throw new Error('unexpected end');
    return next;
  }

  private expect(what: string): void {
    if (this.take() !== what) throw new Error(`expected ${what}`);
  }
}
