/** Interns strings to dense ids, so columns hold numbers and each name is kept once. */
export class StringTable {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();

  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(text);
      this.ids.set(text, id);
    }
    return id;
  }
}
