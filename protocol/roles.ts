/**
 * Device roles. A link is minted for a role; a paired device keeps it until an owner changes it. The host
 * enforces the role on every intent; pages only hide what a role cannot do.
 */
import * as z from './zod.js';
import { lazySchema } from './lazy-schema.js';

/** owner: everything, devices and sessions included · control: prompt, approve, stop, type · view: read only. */
export const RoleSchema = lazySchema(() => z.enum(['owner', 'control', 'view']));
export type Role = z.infer<typeof RoleSchema>;

const RANK: Record<Role, number> = { view: 0, control: 1, owner: 2 };

/** True when `role` grants at least what `needed` does. */
export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** The lesser of two roles (a policy cap, a token's role). */
export function minRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}
