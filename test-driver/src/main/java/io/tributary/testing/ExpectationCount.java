package io.tributary.testing;

/** One expectation's records over an update: those that met it and those that failed it. */
public record ExpectationCount(String dataset, String name, long passed, long failed) {}
