namespace NodeAgent.Index.Counting;

/// <summary>The fields a query can test and a facet can group by.</summary>
public enum CatalogueField
{
    Modality,
    BodyPart,
    Sex,
    Manufacturer,
    ManufacturerModel,

    /// <summary>Age at the study, in years (ranges).</summary>
    Age,

    /// <summary>Study date as yyyymmdd (ranges).</summary>
    StudyDate,

    /// <summary>The study's year (ranges; facets by year).</summary>
    StudyYear,
}
