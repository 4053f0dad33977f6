/**
 * The texts of one language with the keys of another: a translation typed `Translation<typeof xEn>` fails to
 * compile when it lacks a key or has one too many, so ja and en stay complete.
 */
export type Translation<T> = { [K in keyof T]: T[K] extends string ? string : Translation<T[K]> };
