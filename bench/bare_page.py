"""The least a page can cost a browser, for `bench/app.py`: a title, and one Plotly chart
unless the URL says ``?chart=no``. Served with ``streamlit run`` and nothing of the app."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.title("A bare page")
if st.query_params.get("chart") != "no":
    st.plotly_chart(go.Figure(go.Scatter(y=np.sin(np.linspace(0, 20, 2000)))))
