package dev.keyway.message;

/**
 * The latest command a coordinator carried out for a migration, as its status records it.
 *
 * @param command run, cancel, pause, resume, configure or cancelAll
 * @param requestedBy who asked, as the command said (self-declared unless ACLs restrict who may write commands);
 *     null when it did not say
 * @param at when the coordinator carried it out, epoch millis
 */
public record LastCommand(String command, String requestedBy, long at) {
}
