/**
 * "Did you mean": the known name closest to `word` — a case-insensitive exact match first, then the
 * smallest edit distance below `maxDistance` (default: a third of the word, at least 3).
 */
export function closest(word: string, names: readonly string[], maxDistance = Math.max(3, Math.floor(word.length / 3))): string | undefined {
  const lower = word.toLowerCase();
  const exact = names.find((n) => n.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const n of names) {
    const d = editDistance(lower, n.toLowerCase());
    if (d < bestDistance) {
      best = n;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance in one row of memory. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = keep;
    }
  }
  return row[b.length] as number;
}

/**
 * "Did you mean" for an unknown command word: the commands whose name or alias is nearest
 * (commander's rule: the smallest edit distance, at most 3, with more than 40% of the longer word
 * in common), each named once by its canonical name (`lst` suggests `list`, not `list, ls`).
 */
export function similarCommands(word: string, commands: readonly { name: string; aliases: readonly string[] }[]): string[] {
  let best: string[] = [];
  let bestDistance = 4;
  for (const c of commands) {
    for (const candidate of [c.name, ...c.aliases]) {
      if (candidate.length <= 1) continue;
      const d = editDistance(word, candidate);
      if ((Math.max(word.length, candidate.length) - d) / Math.max(word.length, candidate.length) <= 0.4) continue;
      if (d < bestDistance) {
        bestDistance = d;
        best = [c.name];
      } else if (d === bestDistance && !best.includes(c.name)) best.push(c.name);
    }
  }
  return best.sort((a, b) => a.localeCompare(b));
}
