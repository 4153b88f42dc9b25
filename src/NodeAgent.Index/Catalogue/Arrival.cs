namespace NodeAgent.Index.Catalogue;

/// <summary>An instance received by C-STORE (source and SOP Instance UID), remembered so a resend counts once.</summary>
public sealed class Arrival
{
    public string Id { get; set; } = "";

    public string SeriesId { get; set; } = "";
}
