import * as v from 'valibot';
import type { Result } from '../../lib/result';
import type { Facility, FieldIssue, User } from '../types';
import { codesOf } from '../vocab/label';
import { roles } from '../vocab/enums';
import { choice, facilityCode, limits, text } from './fields';
import { rule } from './issues';
import { runForm } from './run';

const facilitySchema = v.object(
  {
    code: facilityCode(),
    name: text(limits.shortTextMax),
    district: text(limits.nameMax),
    region: text(limits.nameMax),
  },
  rule('required'),
);

export function validateFacility(raw: Record<string, unknown>): Result<Facility, FieldIssue[]> {
  return runForm(facilitySchema, raw);
}

/** The person using a device; the app adds the id and the facility. */
export type UserDetails = Pick<User, 'name' | 'role'>;

const userSchema = v.object(
  {
    name: text(limits.nameMax),
    role: choice(codesOf(roles)),
  },
  rule('required'),
);

export function validateUser(raw: Record<string, unknown>): Result<UserDetails, FieldIssue[]> {
  return runForm(userSchema, raw);
}
