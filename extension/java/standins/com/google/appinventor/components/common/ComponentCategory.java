// Compile-only stand-in, written from App Inventor's documented signature; never shipped.
package com.google.appinventor.components.common;

public enum ComponentCategory {
  EXTENSION("Extension"),
  UNINITIALIZED("Uninitialized");

  private final String name;

  ComponentCategory(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }
}
