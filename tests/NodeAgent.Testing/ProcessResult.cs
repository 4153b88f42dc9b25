namespace NodeAgent.Testing;

/// <summary>What a finished external process printed and returned.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);
