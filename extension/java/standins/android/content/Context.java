// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.content;

public abstract class Context {}
