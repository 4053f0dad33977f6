-- Text filters (contains, starts with, ends with) compare as search does: crm_fold folds width and compatibility
-- forms (NFKC: ﾔﾏﾀﾞ → ヤマダ, ０３－ → 03-), case, katakana to hiragana, and drops hyphens, dashes, spaces and
-- middle dots, so `familyNameKana contains ﾔﾏﾀﾞ` or `やまだ` finds ヤマダ and `phone contains ０３－３３３７` finds
-- 03-3337-1234. The filter folds its value with the same function, so both sides always agree.
CREATE FUNCTION crm_fold(s text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN translate(lower(normalize(s, NFKC)), 'ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴヵヶ-‐‑‒–—―− ・·', 'ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをんゔゕゖ');
