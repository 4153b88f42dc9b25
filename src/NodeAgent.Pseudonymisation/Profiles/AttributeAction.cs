namespace NodeAgent.Pseudonymisation.Profiles;

/// <summary>What a profile does to one element. The first six are the standard's; the rest are ours.</summary>
public enum AttributeAction
{
    /// <summary>K: keep as it is (a sequence's items are still processed).</summary>
    Keep,

    /// <summary>X: remove.</summary>
    Remove,

    /// <summary>Z: keep the element with a zero-length value.</summary>
    Empty,

    /// <summary>D: a non-zero-length dummy value of the element's VR.</summary>
    Dummy,

    /// <summary>C: keep what is not identifying (text scrubbed of the instance's identifying values, dates shifted).</summary>
    Clean,

    /// <summary>U: a UID mapped under the site key, the same in every file.</summary>
    Uid,

    /// <summary>A keyed pseudonym of the value, the same in every file.</summary>
    Hash,

    /// <summary>Dates moved by the patient's date shift; times kept.</summary>
    Shift,

    /// <summary>A fixed value from the profile.</summary>
    Replace,
}
