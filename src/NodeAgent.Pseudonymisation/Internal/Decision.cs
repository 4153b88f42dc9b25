using NodeAgent.Pseudonymisation.Profiles;

namespace NodeAgent.Pseudonymisation.Internal;

/// <summary>The action chosen for one element, and why (shown by <c>profile explain</c>).</summary>
internal readonly record struct Decision(AttributeAction Action, string Origin, AttributeRule? Rule = null);
