package io.carbon254.runbook.sso;

import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;

/**
 * An Access application after {@link AccessActivities#ensureApplication}: what sso-integration and
 * the result need (the AUD tag: origins validate Access JWTs against it), and what this run created,
 * so compensation deletes that and nothing else.
 *
 * @param name the application's name
 * @param domain its domain
 * @param appId Cloudflare's id of the application
 * @param aud the application's AUD tag
 * @param policyId the reusable policy attached to it
 * @param appCreated whether this run created the application
 * @param policyCreated whether this run created the policy
 * @param change CREATED, UPDATED (drift repaired) or UNCHANGED
 * @param summary one line for the checklist, e.g. {@code created Grafana.254Carbon (aud 4f1c…)}
 */
public record AccessApplication(String name, String domain, String appId, String aud, String policyId,
    boolean appCreated, boolean policyCreated, Change change, String summary) implements Changed {}
