namespace NodeAgent.Pseudonymisation;

/// <summary>
/// What a profile did to one element, for <c>nodeagent profile explain</c>: a site admin's view on
/// site. <see cref="Before"/> holds the original value and must never be logged or sent anywhere.
/// </summary>
/// <param name="Path">Where the element is: (0010,0010), or (0008,1115)[0].(0008,1155) inside a sequence.</param>
/// <param name="Name">The keyword, or the private creator and offset.</param>
/// <param name="Action">The action and where it came from: "Z (basic profile)", "hash (rule of research)".</param>
/// <param name="Before">The value before: shown on site only.</param>
/// <param name="After">The value written, or (removed).</param>
public sealed record ExplainEntry(string Path, string Name, string Action, string Before, string After);
