namespace NodeAgent.Pseudonymisation.Profiles;

/// <summary>A profile cannot be used: every problem found, each naming the file and the rule.</summary>
public sealed class ProfileException : Exception
{
    public ProfileException(string profile, IReadOnlyList<string> errors)
        : base($"Profile {profile} is not valid:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors))
    {
        Profile = profile;
        Errors = errors;
    }

    public ProfileException(string profile, string error)
        : this(profile, [error])
    {
    }

    public string Profile { get; }

    public IReadOnlyList<string> Errors { get; }
}
