namespace NodeAgent.Federation.Audit;

/// <summary>The audit log cannot be continued or verified.</summary>
public sealed class AuditException : Exception
{
    public AuditException()
    {
    }

    public AuditException(string message)
        : base(message)
    {
    }

    public AuditException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
