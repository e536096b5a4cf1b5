"""Small helpers shared by the Streamlit pages: cached resources, charts and formatting."""
