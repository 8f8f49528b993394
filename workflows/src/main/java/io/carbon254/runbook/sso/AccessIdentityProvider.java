package io.carbon254.runbook.sso;

import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;

/**
 * The one-time-PIN identity provider after {@link AccessActivities#ensureIdentityProvider}.
 *
 * @param id Cloudflare's id of the identity provider (listed in every application's {@code allowed_idps})
 * @param created whether this run created it
 * @param change CREATED or UNCHANGED
 * @param summary one line for the checklist
 */
public record AccessIdentityProvider(String id, boolean created, Change change, String summary) implements Changed {}
