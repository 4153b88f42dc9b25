namespace NodeAgent.Pseudonymisation.Internal;

/// <summary>What a sequence's action asks of the free text inside it, in increasing strength.</summary>
internal enum SequenceContent
{
    /// <summary>Each attribute by its own row.</summary>
    Plain = 0,

    /// <summary>C (Clean Structured Content, Clean Graphics): identifying values masked.</summary>
    Clean = 1,

    /// <summary>D (Content Sequence, Graphic Annotation Sequence in the Basic Profile): replaced by dummies.</summary>
    Dummy = 2,
}
