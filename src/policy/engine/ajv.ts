import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { canonicalJson } from '../../protocol/canonical-json.js';
import { linearRegExp } from './linear-regexp.js';
import { isPathWithin, type PathEnv } from './path-within.js';
import { joinOr } from './schema-errors.js';

export type { Ajv2020 };

/** The SPEC §3 extension keyword for paths. */
export const PATH_WITHIN_KEYWORD = 'x-path-within';

export interface CreateAjvOptions {
  /** Report every violation (lint, messages) rather than stopping at the first. */
  allErrors?: boolean;
  /** The file system `x-path-within` resolves paths in (src/policy/host-file-system.ts for the real one). */
  pathEnv: PathEnv;
}

/**
 * An Ajv for the `args` and `when` schemas of a policy: JSON Schema draft 2020-12 with the
 * `x-path-within` keyword. Not strict, because users write schemas with annotations Ajv does not
 * know (`title`, `examples`, vendor keys); `format` is an annotation, as 2020-12 defines it by
 * default; and no logger, because stdout is the protocol and stderr is the user's.
 *
 * Schemas are not checked against the meta-schema here: validatePolicy does that for every
 * policy with a pre-compiled validator (json-schema-validator.generated.ts) and better
 * messages, and an Ajv that compiles the meta-schemas costs ~45 ms to create, one that does not
 * well under 1 ms. Compiling still throws on what Ajv cannot generate code for.
 */
export function createAjv(options: CreateAjvOptions): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: options.allErrors ?? false,
    strict: false,
    allowUnionTypes: true,
    validateFormats: false,
    validateSchema: false,
    meta: false,
    logger: false,
    code: { regExp: linearRegExp },
  });
  const pathEnv = options.pathEnv;
  envOf.set(ajv, pathEnv);
  // Ajv compares the items of an array pairwise unless the schema gives them a scalar type: an
  // argument of 32,000 objects took 35 s to check. The same check in one pass, by each item's
  // canonical JSON (protocol/canonical-json.ts, as pins digest definitions); same answer (JSON
  // equality: key order aside, 1 and 1.0 alike) and same error.
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword({
    keyword: 'uniqueItems',
    type: 'array',
    schemaType: 'boolean',
    errors: true,
    compile(unique: boolean) {
      if (!unique) return () => true;
      const check = Object.assign(
        (data: unknown[]): boolean => {
          // The pair Ajv's pairwise loop names: the last item equal to an earlier one, and the
          // nearest such earlier one.
          const last = new Map<string, number>();
          let found: { i: number; j: number } | undefined;
          for (let i = 0; i < data.length; i++) {
            const key = canonicalJson(data[i]);
            const j = last.get(key);
            if (j !== undefined) found = { i, j };
            last.set(key, i);
          }
          check.errors = found ? [{ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ## ${found.j} and ${found.i} are identical)`, params: found }] : [];
          return found === undefined;
        },
        { errors: [] as Partial<ErrorObject>[] },
      );
      return check;
    },
  });
  ajv.addKeyword({
    keyword: PATH_WITHIN_KEYWORD,
    schemaType: 'array',
    errors: true,
    compile(roots: unknown) {
      if (!Array.isArray(roots) || !roots.every((r) => typeof r === 'string' && r !== '')) {
        throw new Error(`"${PATH_WITHIN_KEYWORD}" must be a list of directories (non-empty strings)`);
      }
      const error = { keyword: PATH_WITHIN_KEYWORD, message: `must be inside ${joinOr(roots as string[])}`, params: { roots } };
      const check = Object.assign(
        (data: unknown): boolean => {
          // A non-string can never be a path inside the roots: refuse rather than skip it, so
          // `{ "x-path-within": [...] }` without `type: "string"` still fails closed.
          const ok = typeof data === 'string' && isPathWithin(data, roots as string[], pathEnv);
          check.errors = ok ? [] : [error];
          return ok;
        },
        { errors: [] as Partial<ErrorObject>[] },
      );
      return check;
    },
  });
  return ajv;
}

/**
 * Validators already compiled, by schema object. Loading a policy compiles each `args`/`when`
 * schema once to prove it usable (validate.ts); compiling the policy for `run` then reuses that
 * validator instead of compiling it again (both use `createAjv({ allErrors: true })`).
 */
const compiled = new WeakMap<object, { env: PathEnv | undefined; validate: ValidateFunction }>();
const envOf = new WeakMap<Ajv2020, PathEnv>();

/** `ajv.compile`, remembered per schema object (and reused only by an Ajv over the same file-system view). */
export function compileSchema(ajv: Ajv2020, schema: object | boolean): ValidateFunction {
  // `true`/`false` are schemas too, but cannot be WeakMap keys (and cost nothing to compile).
  if (typeof schema !== 'object' || schema === null) return ajv.compile(schema);
  const env = envOf.get(ajv);
  const hit = compiled.get(schema);
  if (hit && hit.env === env) return hit.validate;
  const validate = ajv.compile(schema);
  compiled.set(schema, { env, validate });
  return validate;
}
