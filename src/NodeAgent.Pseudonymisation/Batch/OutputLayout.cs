namespace NodeAgent.Pseudonymisation.Batch;

/// <summary>How a batch names its outputs.</summary>
public enum OutputLayout
{
    /// <summary>The input's relative path. Folder and file names are copied as they are: check that they hold no names or IDs.</summary>
    Mirror,

    /// <summary><c>STUDY-UID/SERIES-UID/SOP-UID.dcm</c> with the new UIDs: nothing of the input's names is kept.</summary>
    Uids,
}
