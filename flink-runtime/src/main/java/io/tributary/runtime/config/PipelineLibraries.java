package io.tributary.runtime.config;

import io.tributary.dsl.PipelineDefinition;
import java.util.ArrayList;
import java.util.List;

/** Loads the {@link PipelineDefinition} classes a {@code pipeline.yml} names under {@code libraries}. */
public final class PipelineLibraries {

  private PipelineLibraries() {}

  public static List<PipelineDefinition> load(String pipeline, List<String> classNames) {
    List<PipelineDefinition> definitions = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    for (String className : classNames) {
      try {
        Class<?> type = Class.forName(className, true, loader);
        if (!PipelineDefinition.class.isAssignableFrom(type)) {
          problems.add(
              "library "
                  + className
                  + " does not implement "
                  + PipelineDefinition.class.getName()
                  + ". A library is a class whose define(Pipeline p) declares datasets.");
          continue;
        }
        definitions.add((PipelineDefinition) type.getDeclaredConstructor().newInstance());
      } catch (ClassNotFoundException e) {
        problems.add(
            "library "
                + className
                + " is not on the classpath. Check the class name, and put the jar"
                + " holding it on the classpath (bin/tributary adds examples/ and the jars in $TRIBUTARY_CLASSPATH).");
      } catch (ReflectiveOperationException | LinkageError e) {
        problems.add(
            "library "
                + className
                + " cannot be created: "
                + e
                + ". It needs a public constructor"
                + " without arguments.");
      }
    }
    if (!problems.isEmpty()) {
      throw ConfigErrors.inPipeline(pipeline, problems);
    }
    return definitions;
  }
}
