package io.carbon254.runbook.engine;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an activity method that changes the platform (creates, updates or deletes something), and
 * the gate whose approval it carries out. The worker runs such an activity only for a run whose
 * start is signed by an allowed signer and whose gate was approved by signed decisions as the
 * worker's own policy requires — checked again in the worker from the signatures the run carries
 * ({@link Authority}), so a hand-started workflow or a worker that ignores the engine cannot change
 * the platform. Where the plan had no changes (so nobody approved it), the activity runs with every
 * write refused.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ChangesThePlatform {

  /** The gate whose approval this change carries out. */
  String gate() default "approve-plan";
}
