package io.carbon254.runbook.sso;

import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.ChangesThePlatform;
import io.carbon254.runbook.engine.PlanItem;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Cloudflare Access through its API (account-scoped, API mode: {@code sso.accountId} and {@code
 * sso.apiToken}). Every object is looked up by its exact key (an application by exact domain, a
 * policy by exact name, the identity provider by type) and never created twice. The API token is
 * resolved from its secret reference inside the activity and never leaves it.
 */
@ActivityInterface
public interface AccessActivities {

  /**
   * Read-only: the one-time-PIN identity provider, then per {@link AccessAppSpec#of application}
   * its policy and the application: CREATE, UPDATE with the drift field by field, or KEEP.
   */
  List<PlanItem> planAccess(Sso sso);

  /** Finds the one-time-PIN identity provider by type, creates it when absent. */
  @ChangesThePlatform
  AccessIdentityProvider ensureIdentityProvider(Sso sso);

  /**
   * Ensures the application's reusable policy (allow: {@code sso.allow}'s email domains and emails;
   * bypass: everyone) and the application (found by exact domain; drift updated; the policy
   * attached; only {@code idpId} allowed), and returns its id and AUD tag.
   */
  @ChangesThePlatform
  AccessApplication ensureApplication(Sso sso, AccessAppSpec spec, String idpId);

  /** Deletes what {@link #ensureApplication} created in this run (the application, then its policy); UNCHANGED when it created nothing. */
  @ChangesThePlatform
  Changed.Result deleteCreatedApplication(Sso sso, AccessApplication application);

  /** Deletes the identity provider when this run created it. */
  @ChangesThePlatform
  Changed.Result deleteCreatedIdentityProvider(Sso sso, AccessIdentityProvider identityProvider);
}
