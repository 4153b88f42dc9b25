namespace NodeAgent.Pseudonymisation.Keys;

/// <summary>The site secret cannot be used; the message says what to fix.</summary>
public sealed class SiteSecretException : Exception
{
    public SiteSecretException(string message)
        : base(message)
    {
    }

    public SiteSecretException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
