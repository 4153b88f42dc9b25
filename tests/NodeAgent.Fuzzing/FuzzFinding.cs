namespace NodeAgent.Fuzzing;

/// <summary>An input that made a parser misbehave: an unexpected exception, or too much time or memory.</summary>
public sealed record FuzzFinding(string Kind, string Detail, byte[] Input);
