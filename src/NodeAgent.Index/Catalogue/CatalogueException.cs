namespace NodeAgent.Index.Catalogue;

/// <summary>The catalogue file cannot be used: the message names the file and what to do.</summary>
public sealed class CatalogueException : Exception
{
    public CatalogueException(string message)
        : base(message)
    {
    }

    public CatalogueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
