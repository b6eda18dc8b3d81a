/**
 * WAF's regular expressions, as JavaScript RegExps with the same yes/no answer.
 *
 * WAF takes "the regular expression pattern syntax used by the PCRE library libpcre", without
 * backreferences, capturing, recursion, conditionals, backtracking verbs, \C, \R, \K, callouts,
 * atomic groups and possessive quantifiers, and does not publish the full list of what it takes:
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-regex-pattern-support.html
 *
 * Only the constructs whose PCRE meaning JavaScript can express exactly are translated; anything
 * else is refused, so a rule is never evaluated with a guessed meaning. The subject is the
 * component's bytes, one character per byte (latin1), since WAF matches bytes, not Unicode text.
 * Where PCRE and JavaScript differ, the translation spells out PCRE's meaning (defaults, no flags):
 * `.` is any byte but \n; `$` and `\Z` also match before a final \n; `\s` is the six ASCII spaces.
 * https://www.pcre.org/original/doc/html/pcrepattern.html
 */

/** Longest RegexString WAF takes (API_RegexMatchStatement: RegexString, length 1–512). */
const MAX_PATTERN_LENGTH = 512;

const PCRE_SPACE = '\\t\\n\\v\\f\\r ';
const END_OR_BEFORE_FINAL_NEWLINE = '(?=\\n?$)';

export class UnsupportedRegexError extends Error {
  constructor(pattern: string, position: number, what: string) {
    super(`regex ${JSON.stringify(pattern)} at offset ${position}: ${what}`);
    this.name = 'UnsupportedRegexError';
  }
}

/** The JavaScript RegExp matching exactly the byte strings the WAF pattern matches. */
export function wafRegex(pattern: string): RegExp {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw new UnsupportedRegexError(pattern, 0, `WAF takes 1 to ${MAX_PATTERN_LENGTH} characters, this has ${pattern.length}`);
  }
  const translated = new Translator(pattern).translate();
  try {
    return new RegExp(translated);
  } catch (error) {
    throw new UnsupportedRegexError(pattern, 0, `not a valid pattern (${(error as Error).message})`);
  }
}

class Translator {
  private position = 0;
  private output = '';
  /** Whether the last thing written may take a quantifier (an atom, not an anchor or an operator). */
  private quantifiable = false;
  private groupDepth = 0;

  constructor(private readonly pattern: string) {}

  translate(): string {
    while (this.position < this.pattern.length) this.step();
    if (this.groupDepth !== 0) this.refuse('a group is never closed');
    return this.output;
  }

  private step(): void {
    const char = this.pattern[this.position]!;
    if (char.charCodeAt(0) > 0x7e || char.charCodeAt(0) < 0x20) this.refuse('only printable ASCII is translated (the byte meaning of other characters depends on how WAF encodes the pattern)');
    switch (char) {
      case '\\':
        return this.escape();
      case '[':
        return this.characterClass();
      case '(':
        return this.groupOpen();
      case ')':
        if (this.groupDepth === 0) this.refuse('")" closes no group');
        this.groupDepth -= 1;
        return this.emit(')', 1, true);
      case '|':
        return this.emit('|', 1, false);
      case '^':
        return this.emit('^', 1, false);
      case '$':
        return this.emit(END_OR_BEFORE_FINAL_NEWLINE, 1, false);
      case '.':
        return this.emit('[^\\n]', 1, true);
      case '*':
      case '+':
      case '?':
        return this.quantifier(char, 1);
      case '{':
        return this.brace();
      case '}':
      case ']':
        return this.emit(`\\${char}`, 1, true);
      default:
        return this.emit(char, 1, true);
    }
  }

  private emit(text: string, consumed: number, quantifiable: boolean): void {
    this.output += text;
    this.position += consumed;
    this.quantifiable = quantifiable;
  }

  private refuse(what: string): never {
    throw new UnsupportedRegexError(this.pattern, this.position, what);
  }

  private quantifier(text: string, consumed: number): void {
    if (!this.quantifiable) this.refuse(`quantifier "${text}" has nothing it can repeat`);
    this.output += text;
    this.position += consumed;
    const next = this.pattern[this.position];
    if (next === '+') this.refuse('possessive quantifiers are not supported by WAF');
    if (next === '?') {
      // laziness changes which text matches, never whether the pattern matches
      this.output += '?';
      this.position += 1;
    }
    const after = this.pattern[this.position];
    if (after === '*' || after === '+' || after === '?' || after === '{') this.refuse('a quantifier follows a quantifier');
    this.quantifiable = false;
  }

  private brace(): void {
    const bounds = /^\{(\d+)(,(\d*))?\}/.exec(this.pattern.slice(this.position));
    if (!bounds) this.refuse('"{" that is not a quantifier {n}, {n,} or {n,m}: write \\{ for a literal brace');
    const [text, min, , max] = bounds;
    if (max !== undefined && max !== '' && Number(max) < Number(min)) this.refuse(`quantifier ${text} has its bounds reversed`);
    this.quantifier(text, text.length);
  }

  private groupOpen(): void {
    const rest = this.pattern.slice(this.position);
    if (rest.startsWith('(?:')) {
      this.groupDepth += 1;
      return this.emit('(?:', 3, false);
    }
    if (rest.startsWith('(?')) this.refuse('only plain and (?:) groups are translated (no lookaround, inline options, named or atomic groups)');
    // WAF does not capture; a plain group only groups
    this.groupDepth += 1;
    this.emit('(?:', 1, false);
  }

  private escape(): void {
    const next = this.pattern[this.position + 1];
    if (next === undefined) this.refuse('the pattern ends with a lone backslash');
    const simple: Record<string, [string, boolean]> = {
      d: ['\\d', true], // ASCII digits in both
      D: ['\\D', true],
      w: ['\\w', true], // ASCII word characters in both (PCRE without UCP, JavaScript without the u flag)
      W: ['\\W', true],
      s: [`[${PCRE_SPACE}]`, true],
      S: [`[^${PCRE_SPACE}]`, true],
      b: ['\\b', false],
      B: ['\\B', false],
      A: ['^', false],
      z: ['$', false],
      Z: [END_OR_BEFORE_FINAL_NEWLINE, false],
      t: ['\\t', true],
      n: ['\\n', true],
      r: ['\\r', true],
      f: ['\\f', true],
      e: ['\\x1b', true],
      a: ['\\x07', true],
    };
    const known = simple[next];
    if (known) return this.emit(known[0], 2, known[1]);
    if (next === 'x') return this.emit(this.hexEscape(), 4, true);
    if (/[0-9A-Za-z]/.test(next)) this.refuse(`\\${next} is not translated (backreferences, octal, \\v, \\h, \\R, \\K, \\C, \\Q, \\p and others differ or are refused by WAF)`);
    this.emit(`\\${next}`, 2, true);
  }

  private hexEscape(): string {
    const digits = this.pattern.slice(this.position + 2, this.position + 4);
    if (!/^[0-9A-Fa-f]{2}$/.test(digits)) this.refuse('only two-digit \\xhh escapes are translated');
    return `\\x${digits}`;
  }

  private characterClass(): void {
    let out = '[';
    let index = this.position + 1;
    if (this.pattern[index] === '^') {
      out += '^';
      index += 1;
    }
    // In PCRE a "]" right after "[" or "[^" is a literal; in JavaScript it would close the class.
    if (this.pattern[index] === ']') {
      out += '\\]';
      index += 1;
    }
    const start = index;
    for (;;) {
      const char = this.pattern[index];
      if (char === undefined) {
        this.position = index;
        this.refuse('a character class is never closed');
      }
      if (char === ']') break;
      if (char === '[' && this.pattern[index + 1] === ':') {
        this.position = index;
        this.refuse('POSIX classes like [:alpha:] are not translated');
      }
      if (char.charCodeAt(0) > 0x7e || char.charCodeAt(0) < 0x20) {
        this.position = index;
        this.refuse('only printable ASCII is translated');
      }
      if (char === '\\') {
        const next = this.pattern[index + 1];
        const inClass: Record<string, string> = { d: '\\d', D: '\\D', w: '\\w', W: '\\W', s: PCRE_SPACE, t: '\\t', n: '\\n', r: '\\r', f: '\\f', e: '\\x1b', a: '\\x07', b: '\\x08' };
        if (next !== undefined && inClass[next] !== undefined) {
          const isSet = 'dDwWs'.includes(next);
          const dashBefore = this.pattern[index - 1] === '-' && index - 1 > start;
          const dashAfter = this.pattern[index + 2] === '-' && this.pattern[index + 3] !== ']';
          if (isSet && (dashBefore || dashAfter)) {
            this.position = index;
            this.refuse(`a range next to \\${next} is not translated: put "-" first or last in the class`);
          }
          out += inClass[next];
          index += 2;
        } else if (next === 'x') {
          this.position = index;
          out += this.hexEscape();
          index += 4;
        } else if (next !== undefined && !/[0-9A-Za-z]/.test(next)) {
          out += `\\${next}`;
          index += 2;
        } else {
          this.position = index;
          // \S inside a class cannot be spelled without JavaScript's wider \s leaking in
          this.refuse(`\\${next ?? ''} inside a character class is not translated`);
        }
        continue;
      }
      out += char === '[' ? '\\[' : char;
      index += 1;
    }
    this.output += `${out}]`;
    this.position = index + 1;
    this.quantifiable = true;
  }
}
