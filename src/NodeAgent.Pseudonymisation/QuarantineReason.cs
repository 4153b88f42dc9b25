namespace NodeAgent.Pseudonymisation;

/// <summary>
/// Why an input was set aside instead of pseudonymised. <see cref="Category"/> is a short stable key
/// for summaries; <see cref="Message"/> explains it. Neither holds a value from the file that could
/// identify anyone (manufacturer, model, sizes and transfer syntaxes only).
/// </summary>
public sealed record QuarantineReason(string Category, string Message)
{
    public const string BurnedInAnnotation = "burned-in-annotation";
    public const string Malformed = "malformed";
    public const string Unsupported = "unsupported";

    public override string ToString() => $"{Category}: {Message}";
}
